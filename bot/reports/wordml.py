"""WordprocessingML details python-docx leaves to us: child order, and small builders.

The schema (ECMA-376 Part 1, §17) fixes the order of the children of ``w:pPr``, ``w:rPr``
and the table property elements. LibreOffice forgives a wrong order; Word may call the
file damaged. :func:`child` therefore inserts a missing child where the schema wants it.
"""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml.etree import _Element

# The sequences of the elements we write into (transitional schema).
_SEQUENCES: dict[str, str] = {
    "w:pPr": (
        "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
        "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
        "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
        "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
        "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
    ),
    "w:rPr": (
        "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint "
        "noProof snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u "
        "effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath "
        "rPrChange"
    ),
    "w:tblPr": (
        "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc "
        "tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption "
        "tblDescription tblPrChange"
    ),
    "w:trPr": (
        "cnfStyle divId gridBefore gridAfter wBefore wAfter cantSplit trHeight tblHeader "
        "tblCellSpacing jc hidden ins del trPrChange"
    ),
    "w:style": (
        "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden "
        "unhideWhenUsed qFormat locked personal personalCompose personalReply rsid pPr rPr "
        "tblPr trPr tcPr tblStylePr"
    ),
    "w:tcPr": (
        "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText "
        "vAlign hideMark headers cellIns cellDel cellMerge tcPrChange"
    ),
}
ORDER: dict[str, dict[str, int]] = {
    qn(parent): {qn(f"w:{name}"): index for index, name in enumerate(names.split())}
    for parent, names in _SEQUENCES.items()
}


def child(parent: _Element, tag: str, **attributes: str) -> _Element:
    """The child ``tag`` of ``parent`` (created in schema order if missing), with
    ``attributes`` set (``val="0"`` sets ``w:val``)."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        order = ORDER.get(parent.tag, {})
        rank = order.get(found.tag)
        later = [
            index
            for index, sibling in enumerate(parent)
            if rank is not None and order.get(sibling.tag, -1) > rank
        ]
        if later:
            parent.insert(later[0], found)
        else:
            parent.append(found)
    for name, value in attributes.items():
        found.set(qn(f"w:{name}"), value)
    return found


def element(tag: str, **attributes: str) -> _Element:
    """A new element with ``w:`` attributes."""
    created = OxmlElement(tag)
    for name, value in attributes.items():
        created.set(qn(f"w:{name}"), value)
    return created


def twips(points: float) -> str:
    """Twentieths of a point, Word's unit for indents and spacing."""
    return str(round(points * 20))


def out_of_order(root: _Element) -> list[str]:
    """Every element under ``root`` whose children break the schema's order (for tests)."""
    problems = []
    for parent in root.iter(*ORDER):
        ranks = [ORDER[parent.tag].get(node.tag) for node in parent]
        known = [rank for rank in ranks if rank is not None]
        if known != sorted(known):  # repeats are allowed: some children may recur
            problems.append(f"{parent.tag}: {[node.tag.split('}')[1] for node in parent]}")
    return problems

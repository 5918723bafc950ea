"""C-CDA R2.1 intake: Care Plans, CCDs, Referral Notes and Transfer Summaries read into the
same plan records as the JSON and CSV readers (one member per document).

    document = read_document(data, source)   # CcdaDocument: partial record, directory, ledger
    document.unmapped                         # every entry not mapped (XPath, template, reason)
    raw = read_ccda(Path("care-plan.xml"))    # RawExport for read_exports (a complete document)
    looks_like_ccda(path)                     # .xml with a ClinicalDocument root
"""

from adapter.records.ccda.document import CcdaError, looks_like_ccda
from adapter.records.ccda.reader import (
    CcdaDocument,
    CcdaRead,
    read_ccda,
    read_ccda_document,
    read_document,
)

__all__ = [
    "CcdaDocument",
    "CcdaError",
    "CcdaRead",
    "looks_like_ccda",
    "read_ccda",
    "read_ccda_document",
    "read_document",
]

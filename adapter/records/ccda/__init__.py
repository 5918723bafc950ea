"""C-CDA intake: Care Plan documents and CCD care team / goals / interventions / health concerns
read into the same plan records as the JSON and CSV readers (one member per document).

    raw = read_ccda(Path("samples/ccda/care-plan.xml"))        # RawExport, for read_exports
    result = read_ccda_document(path); result.notes             # ignored sections, unmapped entries
    looks_like_ccda(path)                                       # .xml with a ClinicalDocument root
"""

from adapter.records.ccda.document import looks_like_ccda
from adapter.records.ccda.reader import CcdaRead, read_ccda, read_ccda_document

__all__ = ["CcdaRead", "looks_like_ccda", "read_ccda", "read_ccda_document"]

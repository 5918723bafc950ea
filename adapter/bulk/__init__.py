"""FHIR Bulk Data export (`$export`): jobs kept in the database, run by the worker process.

    create_job(engine, principal, request_url, base_url, parameters) -> job id   (kick-off)
    read_job(engine, job_id) / cancel_job(engine, job_id)                       (status, DELETE)
    BulkExportRunner(store, settings).run_due() / .serve(stop)                   (worker)

Each job streams every exported type from the database a batch at a time into NDJSON files
under `Settings.bulk_export_dir/<job id>/`, inside the requester's compartment; files and job
expire `Settings.bulk_export_expiry_seconds` after completion.
"""

from adapter.bulk.jobs import ExportJob, cancel_job, create_job, read_job
from adapter.bulk.runner import BulkExportRunner

__all__ = ["BulkExportRunner", "ExportJob", "cancel_job", "create_job", "read_job"]

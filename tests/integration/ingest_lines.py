"""The example lines of docs/reference/buffer-files.md §5.5, byte for byte as the clients write
them, and helpers to make more lines of the same shape."""
import json

START_47 = '{"run_id": "20260114T091502Z-doc-translator-7c41e2a9", "agent_name": "doc-translator", "job_type": "translate", "trigger_type": "scheduler", "start_time": "2026-01-14T09:15:02.401118+00:00", "event_id": "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37", "schema_version": 7, "agent_owner": "platform-team", "end_time": null, "status": "running", "items_discovered": 0, "items_succeeded": 0, "items_failed": 0, "items_skipped": 0, "duration_ms": 0, "input_summary": null, "output_summary": null, "source_ref": null, "target_ref": null, "error_summary": null, "error_details": null, "metrics_json": null, "context_json": null, "insight_id": null, "product": "words", "platform": "net", "product_family": "documents", "subdomain": null, "website": "docs.example.org", "website_section": "guides", "item_name": null, "git_repo": "docs", "git_branch": "main", "git_run_tag": null, "git_commit_hash": null, "git_commit_source": null, "git_commit_author": null, "git_commit_timestamp": null, "host": "build-07", "environment": null, "api_posted": 0, "api_posted_at": null, "api_retry_count": 0, "parent_run_id": null, "created_at": "2026-01-14T09:15:02.418230+00:00", "updated_at": "2026-01-14T09:15:02.418230+00:00", "record_type": "run"}'
END_47 = '{"run_id": "20260114T091502Z-doc-translator-7c41e2a9", "agent_name": "doc-translator", "job_type": "translate", "trigger_type": "scheduler", "start_time": "2026-01-14T09:15:02.401118+00:00", "event_id": "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37", "schema_version": 7, "agent_owner": "platform-team", "end_time": "2026-01-14T09:17:44.990501+00:00", "status": "success", "items_discovered": 40, "items_succeeded": 38, "items_failed": 1, "items_skipped": 1, "duration_ms": 162589, "input_summary": "40 pages", "output_summary": "38 translated", "source_ref": null, "target_ref": null, "error_summary": "1 page failed", "error_details": null, "metrics_json": "{\\"pages_per_minute\\": 14.7, \\"retries\\": 2}", "context_json": "{\\"locale\\": \\"fr-FR\\", \\"note\\": \\"relecture termin\\\\u00e9e\\"}", "insight_id": null, "product": "words", "platform": "net", "product_family": "documents", "subdomain": null, "website": "docs.example.org", "website_section": "guides", "item_name": null, "git_repo": "docs", "git_branch": "main", "git_run_tag": null, "git_commit_hash": null, "git_commit_source": null, "git_commit_author": null, "git_commit_timestamp": null, "host": "build-07", "environment": null, "api_posted": 0, "api_posted_at": null, "api_retry_count": 0, "parent_run_id": null, "created_at": "2026-01-14T09:15:02.418230+00:00", "updated_at": "2026-01-14T09:17:44.990733+00:00", "record_type": "run"}'
START_40 = '{"run_id": "20251223T180000Z-crawler-5e6f7a8b", "agent_name": "crawler", "job_type": "crawl", "trigger_type": "cli", "start_time": "2025-12-23T18:00:00+00:00", "event_id": "9c2d41f0-77aa-4b3e-8f65-0e1d2c3b4a59", "schema_version": 6, "agent_owner": null, "end_time": null, "status": "running", "items_discovered": 0, "items_succeeded": 0, "items_failed": 0, "duration_ms": null, "input_summary": "sitemap.xml", "output_summary": null, "error_summary": null, "metrics_json": null, "insight_id": null, "product": null, "platform": null, "product_family": null, "subdomain": null, "website": "www.example.com", "website_section": null, "item_name": null, "git_repo": null, "git_branch": null, "git_run_tag": null, "git_commit_hash": null, "git_commit_source": null, "git_commit_author": null, "git_commit_timestamp": null, "host": "crawl-02", "api_posted": 0, "api_posted_at": null, "api_retry_count": 0, "created_at": "2025-12-23T18:00:00.004100+00:00", "updated_at": "2025-12-23T18:00:00.004100+00:00", "record_type": "run"}'
END_40 = '{"run_id": "20251223T180000Z-crawler-5e6f7a8b", "agent_name": "crawler", "job_type": "crawl", "trigger_type": "cli", "start_time": "2025-12-23T18:00:00+00:00", "event_id": "9c2d41f0-77aa-4b3e-8f65-0e1d2c3b4a59", "schema_version": 6, "agent_owner": null, "end_time": "2025-12-23T18:04:31.250000+00:00", "status": "failed", "items_discovered": 120, "items_succeeded": 97, "items_failed": 23, "duration_ms": 271250, "input_summary": "sitemap.xml", "output_summary": null, "error_summary": "23 pages returned 404", "metrics_json": "{\\"pages\\": 120, \\"city\\": \\"Z\\\\u00fcrich\\"}", "insight_id": null, "product": null, "platform": null, "product_family": null, "subdomain": null, "website": "www.example.com", "website_section": null, "item_name": null, "git_repo": null, "git_branch": null, "git_run_tag": null, "git_commit_hash": null, "git_commit_source": null, "git_commit_author": null, "git_commit_timestamp": null, "host": "crawl-02", "api_posted": 0, "api_posted_at": null, "api_retry_count": 0, "created_at": "2025-12-23T18:00:00.004100+00:00", "updated_at": "2025-12-23T18:04:31.250412+00:00", "record_type": "run"}'
EVENT = '{"run_id": "20260114T091502Z-doc-translator-7c41e2a9", "event_type": "page_translated", "timestamp": "2026-01-14T09:16:10.552100+00:00", "payload_json": "{\\"page\\": \\"intro.md\\", \\"chars\\": 5120}", "id": null, "record_type": "event"}'


def with_event_id(line, event_id):
    """The same line (same key order and separators) for another event."""
    record = json.loads(line)
    record["event_id"] = event_id
    record["run_id"] = "run-" + event_id
    return json.dumps(record)  # Python's defaults: ", " and ": ", \\uXXXX escapes, like the clients


def write(path, lines, end="\n"):
    with open(path, "w", newline="") as f:
        f.write("\n".join(lines) + end)
    return path


def rows(db_path, columns="*"):
    """Every row of agent_runs without `id`, ordered by event_id, as dicts."""
    import sqlite3
    with sqlite3.connect("file:%s?mode=ro" % db_path, uri=True) as connection:
        connection.row_factory = sqlite3.Row
        result = connection.execute("SELECT %s FROM agent_runs ORDER BY event_id" % columns).fetchall()
        return [{k: r[k] for k in r.keys() if k != "id"} for r in result]

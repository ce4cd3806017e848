#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target (fuzz/corpus/<target>/) from the
examples of the specifications (docs/reference/http-api.md §4-§14, docs/reference/buffer-files.md
§5-§10), plus a few hostile shapes the parsers must refuse. Run it again
after changing the examples; the fuzzers add what they discover to their own
working corpus, never to these directories."""
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

# docs/reference/buffer-files.md §5: the lines existing clients write.
SPEC_LINES = [
    '{"run_id": "20260114T091502Z-doc-translator-7c41e2a9", "agent_name": "doc-translator", "job_type": "translate", "trigger_type": "scheduler", "start_time": "2026-01-14T09:15:02.401118+00:00", "event_id": "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37", "schema_version": 7, "agent_owner": "platform-team", "end_time": null, "status": "running", "items_discovered": 0, "items_succeeded": 0, "items_failed": 0, "items_skipped": 0, "duration_ms": 0, "input_summary": null, "output_summary": null, "source_ref": null, "target_ref": null, "error_summary": null, "error_details": null, "metrics_json": null, "context_json": null, "insight_id": null, "product": "words", "platform": "net", "product_family": "documents", "subdomain": null, "website": "docs.example.org", "website_section": "guides", "item_name": null, "git_repo": "docs", "git_branch": "main", "git_run_tag": null, "git_commit_hash": null, "git_commit_source": null, "git_commit_author": null, "git_commit_timestamp": null, "host": "build-07", "environment": null, "api_posted": 0, "api_posted_at": null, "api_retry_count": 0, "parent_run_id": null, "created_at": "2026-01-14T09:15:02.418230+00:00", "updated_at": "2026-01-14T09:15:02.418230+00:00", "record_type": "run"}',
    '{"run_id": "20260114T091502Z-doc-translator-7c41e2a9", "agent_name": "doc-translator", "job_type": "translate", "trigger_type": "scheduler", "start_time": "2026-01-14T09:15:02.401118+00:00", "event_id": "3f1c9a2e-5b7d-4e61-9c0a-8d2f4b6e1a37", "schema_version": 7, "agent_owner": "platform-team", "end_time": "2026-01-14T09:17:44.990501+00:00", "status": "success", "items_discovered": 40, "items_succeeded": 38, "items_failed": 1, "items_skipped": 1, "duration_ms": 162589, "input_summary": "40 pages", "output_summary": "38 translated", "source_ref": null, "target_ref": null, "error_summary": "1 page failed", "error_details": null, "metrics_json": "{\\"pages_per_minute\\": 14.7, \\"retries\\": 2}", "context_json": "{\\"locale\\": \\"fr-FR\\", \\"note\\": \\"relecture termin\\\\u00e9e\\"}", "insight_id": null, "product": "words", "platform": "net", "product_family": "documents", "subdomain": null, "website": "docs.example.org", "website_section": "guides", "item_name": null, "git_repo": "docs", "git_branch": "main", "git_run_tag": null, "git_commit_hash": null, "git_commit_source": null, "git_commit_author": null, "git_commit_timestamp": null, "host": "build-07", "environment": null, "api_posted": 0, "api_posted_at": null, "api_retry_count": 0, "parent_run_id": null, "created_at": "2026-01-14T09:15:02.418230+00:00", "updated_at": "2026-01-14T09:17:44.990733+00:00", "record_type": "run"}',
    '{"run_id": "20251223T180000Z-crawler-5e6f7a8b", "agent_name": "crawler", "job_type": "crawl", "trigger_type": "cli", "start_time": "2025-12-23T18:00:00+00:00", "event_id": "9c2d41f0-77aa-4b3e-8f65-0e1d2c3b4a59", "schema_version": 6, "agent_owner": null, "end_time": "2025-12-23T18:04:31.250000+00:00", "status": "failed", "items_discovered": 120, "items_succeeded": 97, "items_failed": 23, "duration_ms": 271250, "input_summary": "sitemap.xml", "output_summary": null, "error_summary": "23 pages returned 404", "metrics_json": "{\\"pages\\": 120, \\"city\\": \\"Z\\\\u00fcrich\\"}", "insight_id": null, "host": "crawl-02", "api_posted": 0, "api_posted_at": null, "api_retry_count": 0, "created_at": "2025-12-23T18:00:00.004100+00:00", "updated_at": "2025-12-23T18:04:31.250412+00:00", "record_type": "run"}',
    '{"run_id": "20260114T091502Z-doc-translator-7c41e2a9", "event_type": "page_translated", "timestamp": "2026-01-14T09:16:10.552100+00:00", "payload_json": "{\\"page\\": \\"intro.md\\", \\"chars\\": 5120}", "id": null, "record_type": "event"}',
]

# docs/reference/http-api.md §5, §10, §11, §14: request bodies, valid and invalid.
MINIMAL = {"event_id": "e-1", "run_id": "r-17", "agent_name": "crawler", "job_type": "crawl",
           "start_time": "2026-01-14T09:15:02+00:00"}
BODIES = [
    json.dumps(MINIMAL),
    json.dumps({"run_id": "r-17", "start_time": "2026-01-14T09:15:02+00:00", "agent_name": "crawler",
                "job_type": "crawl", "items_failed": -2}),
    json.dumps(dict(MINIMAL, status=" Completed ", items_discovered="12", api_posted="yes",
                    duration_ms=None, created_at="2026-01-14 14:45:02,5+05:30",
                    metrics_json={"pages": 3, "ratio": 0.5}, context_json="{\"a\": [1, 2, {}]}",
                    git_commit_source="ci", git_commit_hash="0123456789abcdef")),
    json.dumps(dict(MINIMAL, items_succeeded=1.0, items_skipped=9223372036854775808, status=None)),
    json.dumps([MINIMAL, dict(MINIMAL, event_id="e-2"), 7]),
    json.dumps({"runs": [MINIMAL, dict(MINIMAL, event_id="e-1")], "note": "wrapper"}),
    json.dumps({"runs": {"not": "an array"}}),
    json.dumps({"status": "success", "end_time": "2026-01-14T09:17:44Z", "items_succeeded": 38,
                "error_details": None}),
    json.dumps({"commit_hash": "abc1234", "commit_source": "llm", "commit_author": "a",
                "commit_timestamp": "2026-01-14T09:17:44.990501-08:00"}),
    '{"event_id": "e", "event_id": "f", "run_id": "r"}',
    '{"event_id": "caf\\u00e9 \\ud83d\\ude00", "x": [1e400, -0, 0.1e-400]}',
    '{"a": NaN}', '\ufeff{}', '{"a": 1} x', b'{"a": "\xff"}', '{"run_id": "20260114T0',
    "[" * 300 + "]" * 300, '{"a":' * 10 + '1' + '}' * 10, "", "null", "{}", "[]",
]

TIMESTAMPS = [
    "2026-01-14T09:15:02+00:00", "2026-01-14 14:45:02,5+05:30", "2026-01-14T09:15:02.401118+00:00",
    "2026-01-14t09:15z", "2026-01-14", "2024-02-29T23:59:59.9999999-23:59", "0001-01-01T00:00:00+00:01",
    "9999-12-31T23:59:59-00:01", "2026-01-14T09:15:02 05:30", "2026-01-14T09:15:02 0530",
    "2026-01-14T09:15:02 05", "2026-01-14 09:15:02 00:00", "20260114T091502Z", "2026-01-14T24:00:00",
    "2026-01-14T23:59:60", " 2026-01-14T09:15:02Z", "2025-02-29T00:00:00",
]
QUERY_VALUES = TIMESTAMPS + [
    "0", "+12", "-0", " 42 ", "1_000", "9223372036854775807", "9223372036854775808",
    "-9223372036854775809", "12.0", "1e3", "limit", "24h", "7d", "2w", "0h", "99999999999999999999w",
    "running", "  SUCCEEDED\t", "canceled", "Failed", "",
]

BUFFER_FILES = [
    "\n".join(SPEC_LINES) + "\n",
    "\ufeff" + SPEC_LINES[0] + "\r\n\n  \t\r\n" + SPEC_LINES[3] + "\n",
    SPEC_LINES[1] + "\n" + '{"run_id": "20260114T0',             # torn last line
    SPEC_LINES[0] + "\n" + "\0" * 64 + "\n" + SPEC_LINES[2] + "\n",  # zero bytes left by a crash
    '{"record_type": "audit"}\n[1, 2]\n{"record_type": 5}\n' + json.dumps(MINIMAL) + "\n",
    b'{"event_id": "\xff\xfe"}\n' + b"x" * 5000 + b"\n",  # invalid UTF-8, line over the limit
]


def write(target, items):
    directory = os.path.join(HERE, "corpus", target)
    os.makedirs(directory, exist_ok=True)
    for item in items:
        data = item.encode("utf-8") if isinstance(item, str) else item  # bytes: invalid UTF-8 on purpose
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


write("run_parser", BODIES + SPEC_LINES)
write("query_values", QUERY_VALUES)
write("buffer_lines", BUFFER_FILES)

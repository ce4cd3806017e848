# fish completion for telemetry(1). Installed as
# <datadir>/fish/vendor_completions.d/telemetry.fish. Keep the flag lists in
# step with `telemetry <command> --help`: tests/integration/test_packaging.py
# compares them.


# True when the command line has no command yet.
function __telemetry_needs_command
    set -l words (commandline -opc)
    for word in $words[2..-1]
        if contains -- $word serve migrate backup check ingest-buffer metrics prune
            return 1
        end
    end
    return 0
end

# True when the command is $argv[1] (for backup: and no list/restore follows
# unless $argv[2] names it, "-" meaning plain backup).
function __telemetry_using
    set -l words (commandline -opc)
    set -l command
    set -l action -
    for word in $words[2..-1]
        if test -z "$command"
            if contains -- $word serve migrate backup check ingest-buffer metrics prune
                set command $word
            end
        else if test "$command" = backup; and contains -- $word list restore
            set action $word
        end
    end
    test "$command" = "$argv[1]"; or return 1
    if test "$command" = backup
        test "$action" = "$argv[2]"
        return
    end
    return 0
end

complete -c telemetry -f

# telemetry itself
complete -c telemetry -n __telemetry_needs_command -s h -l help -d 'Print the commands and exit'
complete -c telemetry -n __telemetry_needs_command -l version -d 'Print the version and exit'
complete -c telemetry -n __telemetry_needs_command -a serve -d 'Run the single-writer HTTP service'
complete -c telemetry -n __telemetry_needs_command -a migrate -d 'Bring a database to the v7 schema'
complete -c telemetry -n __telemetry_needs_command -a backup -d 'Make, list or restore verified copies'
complete -c telemetry -n __telemetry_needs_command -a check -d 'Check the database and the service'
complete -c telemetry -n __telemetry_needs_command -a ingest-buffer -d 'Deliver buffered runs to the database'
complete -c telemetry -n __telemetry_needs_command -a metrics -d 'Print the numbers of /metrics'
complete -c telemetry -n __telemetry_needs_command -a prune -d 'Delete runs older than a duration'

# Flags every command accepts (src/cli/common.cpp add_global_flags).
for context in serve migrate 'backup -' 'backup list' 'backup restore' check ingest-buffer metrics prune
    set -l condition "__telemetry_using $context"
    complete -c telemetry -n $condition -s h -l help -d 'Print the flags and exit'
    complete -c telemetry -n $condition -l db -r -F -d 'Database file (TELEMETRY_DB_PATH)'
    complete -c telemetry -n $condition -l lock-file -r -F -d 'Single-writer lock file'
    complete -c telemetry -n $condition -l env-file -r -F -d 'Read settings from this file instead of ./.env'
    complete -c telemetry -n $condition -l no-env-file -d 'Read no env file'
    complete -c telemetry -n $condition -l log-level -x -a 'debug info warning error critical' -d 'Log level'
    complete -c telemetry -n $condition -l log-format -x -a 'logfmt json' -d 'Log format'
end

# Flags with the same meaning in several commands.
for context in serve 'backup restore' ingest-buffer prune
    complete -c telemetry -n "__telemetry_using $context" -l journal-mode -x -a 'DELETE TRUNCATE PERSIST WAL' -d 'SQLite journal mode'
end
for context in serve migrate 'backup -' 'backup restore' ingest-buffer prune
    complete -c telemetry -n "__telemetry_using $context" -l synchronous -x -a 'EXTRA FULL NORMAL OFF' -d 'SQLite synchronous level'
end
for context in serve migrate 'backup -' 'backup restore' check ingest-buffer prune
    complete -c telemetry -n "__telemetry_using $context" -l busy-timeout-ms -x -d 'SQLite busy timeout (ms)'
end
for context in migrate 'backup -' 'backup list' 'backup restore' check ingest-buffer metrics prune
    complete -c telemetry -n "__telemetry_using $context" -l json -d 'Print the result as JSON'
end
for context in migrate ingest-buffer prune
    complete -c telemetry -n "__telemetry_using $context" -l dry-run -d 'Change nothing; print what would happen'
end
for context in check ingest-buffer metrics
    complete -c telemetry -n "__telemetry_using $context" -l url -x -a 'http://127.0.0.1:8765' -d 'URL of a running service'
end
for context in 'backup -' 'backup list' 'backup restore'
    complete -c telemetry -n "__telemetry_using $context" -l dir -x -a '(__fish_complete_directories)' -d 'Backup folder'
end

# serve
set -l c '__telemetry_using serve'
complete -c telemetry -n $c -l host -x -a '127.0.0.1 0.0.0.0 ::1 ::' -d 'Address to listen on'
complete -c telemetry -n $c -l port -x -d 'Port; 0 lets the system choose'
complete -c telemetry -n $c -l auth -d 'Require a Bearer token'
complete -c telemetry -n $c -l no-auth -d 'Do not require a token'
complete -c telemetry -n $c -l auth-token-file -r -F -d 'File holding the token'
complete -c telemetry -n $c -l allow-unauthenticated -d 'Allow a non-loopback --host with auth off'
complete -c telemetry -n $c -l no-allow-unauthenticated -d 'Refuse a non-loopback --host with auth off'
complete -c telemetry -n $c -l rate-limit -d 'Limit requests per client IP'
complete -c telemetry -n $c -l no-rate-limit -d 'No rate limit'
complete -c telemetry -n $c -l rate-limit-rpm -x -d 'Requests per minute per IP'
complete -c telemetry -n $c -l max-body-bytes -x -d 'Request body limit'
complete -c telemetry -n $c -l batch-max -x -d 'Most runs in one batch request'
complete -c telemetry -n $c -l http-threads -x -d 'Concurrent connections served'
complete -c telemetry -n $c -l read-timeout -x -d 'Seconds a silent client is kept'
complete -c telemetry -n $c -l keepalive-timeout -x -d 'Idle keep-alive seconds; 0 disables'
complete -c telemetry -n $c -l metrics-max-agents -x -d 'Per-agent Prometheus series; the rest as other'
complete -c telemetry -n $c -l retention-days -x -d 'Delete runs older than N days; 0 = off'

# migrate
set c '__telemetry_using migrate'
complete -c telemetry -n $c -l to -x -a '7 v7' -d 'Target schema version'
complete -c telemetry -n $c -l no-backup -d 'Skip the verified pre-migration backup'

# backup, backup list, backup restore
set c '__telemetry_using backup -'
complete -c telemetry -n $c -a list -d 'Show the backups'
complete -c telemetry -n $c -a restore -d 'Replace the database with a verified backup'
complete -c telemetry -n $c -l keep-days -x -d 'Delete verified backups older than N days'
complete -c telemetry -n $c -l keep-last -x -d 'Always keep the N newest verified backups'
set c '__telemetry_using backup restore'
complete -c telemetry -n $c -F -d 'Backup file'
complete -c telemetry -n $c -l yes -d 'Do not ask for confirmation'

# check
set c '__telemetry_using check'
complete -c telemetry -n $c -l quick -d 'quick_check instead of integrity_check'

# ingest-buffer: paths are buffer folders, files or - (standard input)
set c '__telemetry_using ingest-buffer'
complete -c telemetry -n $c -F -a - -d 'Buffer folder, file, or - for standard input'
complete -c telemetry -n $c -l include-active -d 'Also ingest .jsonl.active files'
complete -c telemetry -n $c -l auth-token-file -r -F -d "File holding the service's token"

# metrics
set c '__telemetry_using metrics'
complete -c telemetry -n $c -l since -x -a '24h 7d 30d 2w' -d 'Recent window'
complete -c telemetry -n $c -l by -x -a 'agent job_type status' -d 'Breakdown'

# prune
set c '__telemetry_using prune'
complete -c telemetry -n $c -l older-than -x -a '24h 7d 30d 90d 365d 2w' -d 'Delete runs created longer ago than this'
complete -c telemetry -n $c -l batch-size -x -d 'Rows per transaction'
complete -c telemetry -n $c -l vacuum -d 'VACUUM afterwards'

# bash completion for telemetry(1)                          -*- shell-script -*-
#
# Installed as <datadir>/bash-completion/completions/telemetry, which
# bash-completion loads on first use; it can also be sourced directly. It needs
# nothing from bash-completion itself. Keep the flag lists in step with
# `telemetry <command> --help`: tests/integration/test_packaging.py compares them.

# Flags every command accepts (src/cli/common.cpp add_global_flags).
_telemetry_global_flags="--db --lock-file --env-file --no-env-file --log-level --log-format --help -h"

# Flags of one command ("backup list" and "backup restore" are their own).
_telemetry_command_flags() {
    case "$1" in
        serve)
            echo "--journal-mode --synchronous --busy-timeout-ms --host --port --auth --no-auth" \
                 "--auth-token-file --allow-unauthenticated --no-allow-unauthenticated" \
                 "--rate-limit --no-rate-limit --rate-limit-rpm --max-body-bytes" \
                 "--batch-max --http-threads --read-timeout --keepalive-timeout --metrics-max-agents" \
                 "--retention-days" ;;
        migrate)
            echo "--busy-timeout-ms --synchronous --dry-run --to --no-backup --json" ;;
        backup)
            echo "--dir --keep-days --keep-last --synchronous --busy-timeout-ms --json" ;;
        "backup list")
            echo "--dir --json" ;;
        "backup restore")
            echo "--dir --journal-mode --synchronous --busy-timeout-ms --yes --json" ;;
        check)
            echo "--busy-timeout-ms --quick --url --json" ;;
        ingest-buffer)
            echo "--include-active --dry-run --json --url --journal-mode --synchronous" \
                 "--busy-timeout-ms --auth-token-file" ;;
        metrics)
            echo "--url --json --since --by" ;;
        prune)
            echo "--older-than --dry-run --batch-size --vacuum --json --journal-mode --synchronous" \
                 "--busy-timeout-ms" ;;
    esac
}

# Flags that take a value in the next word (so that value is not a command).
_telemetry_takes_value() {
    case "$1" in
        --db|--lock-file|--env-file|--log-level|--log-format|--journal-mode|--synchronous|\
        --busy-timeout-ms|--host|--port|--auth-token-file|--rate-limit-rpm|--max-body-bytes|\
        --batch-max|--http-threads|--read-timeout|--keepalive-timeout|--metrics-max-agents|--retention-days|--to|\
        --dir|--keep-days|--keep-last|--url|--since|--by|--older-than|--batch-size)
            return 0 ;;
    esac
    return 1
}

# Completes file names (or only directories with "-d") into COMPREPLY.
_telemetry_files() {
    local kind="-f"
    [[ $1 == -d ]] && { kind="-d"; shift; }
    local IFS=$'\n'
    compopt -o filenames 2>/dev/null
    COMPREPLY+=( $(compgen "$kind" -- "$1") )
}

_telemetry() {
    local cur="${COMP_WORDS[COMP_CWORD]}"
    local prev=""
    (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"
    COMPREPLY=()

    # The command (and backup's list/restore) among the words before the cursor;
    # positional arguments are counted to know when restore's FILE is given.
    local command="" positionals=0 i word
    for (( i = 1; i < COMP_CWORD; i++ )); do
        word="${COMP_WORDS[i]}"
        if [[ $word == -* ]]; then
            if _telemetry_takes_value "$word"; then
                # "--db = x" when COMP_WORDBREAKS splits at "=", else "--db x".
                if [[ ${COMP_WORDS[i+1]} == "=" ]]; then (( i += 2 )); else (( i++ )); fi
            fi
            continue
        fi
        if [[ -z $command ]]; then
            command="$word"
        elif [[ $command == backup ]] && [[ $word == list || $word == restore ]]; then
            command="backup $word"
        else
            (( positionals++ ))
        fi
    done

    # --flag=value is completed like --flag value (bash may split it at "=").
    if [[ $cur == "=" ]]; then
        cur=""
    elif [[ $prev == "=" ]] && (( COMP_CWORD > 1 )); then
        prev="${COMP_WORDS[COMP_CWORD-2]}"
    fi
    if [[ $cur == --*=* ]]; then
        prev="${cur%%=*}"
        cur="${cur#*=}"
    elif [[ $prev == -* ]] && ! _telemetry_takes_value "$prev"; then
        prev=""
    fi

    case "$prev" in
        --db|--lock-file|--env-file|--auth-token-file)
            _telemetry_files "$cur"; return 0 ;;
        --dir)
            _telemetry_files -d "$cur"; return 0 ;;
        --log-level)
            COMPREPLY=( $(compgen -W "debug info warning error critical" -- "$cur") ); return 0 ;;
        --log-format)
            COMPREPLY=( $(compgen -W "logfmt json" -- "$cur") ); return 0 ;;
        --journal-mode)
            COMPREPLY=( $(compgen -W "DELETE TRUNCATE PERSIST WAL" -- "$cur") ); return 0 ;;
        --synchronous)
            COMPREPLY=( $(compgen -W "EXTRA FULL NORMAL OFF" -- "$cur") ); return 0 ;;
        --by)
            COMPREPLY=( $(compgen -W "agent job_type status" -- "$cur") ); return 0 ;;
        --to)
            COMPREPLY=( $(compgen -W "7" -- "$cur") ); return 0 ;;
        --since|--older-than)
            COMPREPLY=( $(compgen -W "24h 7d 30d 90d 365d 2w" -- "$cur") ); return 0 ;;
        --host)
            COMPREPLY=( $(compgen -W "127.0.0.1 0.0.0.0 ::1 ::" -- "$cur") ); return 0 ;;
        --url)
            COMPREPLY=( $(compgen -W "http://127.0.0.1:8765" -- "$cur") ); return 0 ;;
        --busy-timeout-ms|--port|--rate-limit-rpm|--max-body-bytes|--batch-max|--http-threads|\
        --read-timeout|--keepalive-timeout|--metrics-max-agents|--retention-days|--keep-days|--keep-last|--batch-size)
            return 0 ;;  # a number: nothing sensible to offer
    esac

    if [[ -z $command ]]; then
        COMPREPLY=( $(compgen -W "serve migrate backup check ingest-buffer metrics prune --help -h --version" -- "$cur") )
        return 0
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=( $(compgen -W "$_telemetry_global_flags $(_telemetry_command_flags "$command")" -- "$cur") )
        return 0
    fi

    case "$command" in
        backup)
            COMPREPLY=( $(compgen -W "list restore" -- "$cur") ) ;;
        "backup restore")
            (( positionals == 0 )) && _telemetry_files "$cur" ;;
        ingest-buffer)
            [[ -z $cur || $cur == - ]] && COMPREPLY=( - )
            _telemetry_files "$cur" ;;
    esac
    return 0
}

complete -F _telemetry telemetry

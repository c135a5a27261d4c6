#!/bin/sh
# The service's recent logs, for the drift check (the drift-monitor CronJob's init container runs
# this): the log of the container `service` of each pod of the app that is Running, over the last
# SINCE, into the file named by the first argument. A pod that is not Running (Pending after a
# scale-out, a surge pod not started yet, one that has finished) has no log to give: it is named
# on stderr and skipped, as every pod read is.
#
# SELECTOR (the app's label), NAMESPACE and SINCE come from the environment. The exit status,
# which the CronJob's podFailurePolicy reads:
#   0  the log of every Running pod is in the file;
#   2  nothing to judge, as the drift monitor's own exit 2 says: no pod is Running, or the
#      script is called wrongly;
#   3  kubectl failed (the API did not answer, a pod went away while it was read): a fault.
set -u
container=service

usage_error() {
  echo "error: $1 (usage: SELECTOR=... NAMESPACE=... SINCE=... fetch-logs.sh FILE)" >&2
  exit 2
}

[ $# -eq 1 ] || usage_error "one argument, the file to write, not $#"
out=$1
[ -n "${SELECTOR:-}" ] || usage_error "SELECTOR is not set"
[ -n "${NAMESPACE:-}" ] || usage_error "NAMESPACE is not set"
[ -n "${SINCE:-}" ] || usage_error "SINCE is not set"

# The pods of the app whose phase matches, one a line: the name, or the name and the phase.
pods() {
  kubectl get pods --namespace "$NAMESPACE" --selector "$SELECTOR" --field-selector "$1" \
    --output "jsonpath={range .items[*]}{.metadata.name}$2{\"\\n\"}{end}"
}

kubectl_failed() {
  echo "error: kubectl $1 failed (its message is above): no verdict from this run" >&2
  exit 3
}

running=$(pods status.phase=Running "") || kubectl_failed "get pods"
others=$(pods status.phase!=Running " ({.status.phase})") || kubectl_failed "get pods"
printf '%s\n' "$others" | sed '/^$/d; s/^/skipped, not Running: /' >&2
if [ -z "$running" ]; then
  echo "no pod of $SELECTOR in $NAMESPACE is Running: no log to judge" >&2
  exit 2
fi

: >"$out"
for pod in $running; do
  kubectl logs "pod/$pod" --namespace "$NAMESPACE" --container "$container" --since "$SINCE" \
    >"$out.pod" || kubectl_failed "logs $pod"
  echo "read $pod: $(wc -l <"$out.pod") lines" >&2
  cat "$out.pod" >>"$out"
done
rm -f "$out.pod"

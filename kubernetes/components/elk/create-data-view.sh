#!/bin/sh
# Create Kibana's data view for the prediction logs once Kibana answers (the kibana-data-view Job
# runs this). Running it again is harmless: a data view that exists already counts as made.
set -eu
KIBANA_URL="${KIBANA_URL:-http://kibana:5601}"
DATA_VIEW_ID=prediction-logs
# The title matches Filebeat's data stream (output.elasticsearch.index in filebeat.yml).
DATA_VIEW='{"data_view": {"id": "prediction-logs", "title": "prediction-logs*", "name": "Prediction logs", "timeFieldName": "@timestamp"}}'

until curl --silent --fail --output /dev/null "$KIBANA_URL/api/status"; do
  echo "waiting for Kibana at $KIBANA_URL"
  sleep 10
done
if curl --silent --fail --output /dev/null "$KIBANA_URL/api/data_views/data_view/$DATA_VIEW_ID"; then
  echo "the data view $DATA_VIEW_ID exists already"
  exit 0
fi
answer=$(curl --silent --show-error --write-out '\n%{http_code}' --request POST \
  --header 'kbn-xsrf: true' --header 'Content-Type: application/json' \
  --data "$DATA_VIEW" "$KIBANA_URL/api/data_views/data_view")
status=$(printf '%s\n' "$answer" | tail -n 1)
case "$status:$answer" in
  200:*)
    echo "created the data view $DATA_VIEW_ID" ;;
  409:* | 400:*"Duplicate data view"* | 400:*conflict*)
    echo "the data view $DATA_VIEW_ID exists already" ;;
  *)
    echo "error: Kibana refused the data view (HTTP $status): $answer" >&2
    exit 1 ;;
esac

#!/usr/bin/env bash
# curl against the plugin with the admin's credentials from the environment (never on a command
# line that Ansible prints): Basic auth on Airflow 2, the JWT on Airflow 3. Prints the body, then
# the HTTP status on a line of its own.
#   AUTH=admin|viewer|none  curl_plugin.sh CURL_ARGS...
set -eu
auth=()
case "${AUTH:-admin}" in
  admin)  if [ -n "${PLUGIN_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $PLUGIN_TOKEN");
          else auth=(-u "$PLUGIN_USER:$PLUGIN_PASSWORD"); fi ;;
  none)   auth=() ;;
esac
exec curl -sS --noproxy '*' "${auth[@]}" -w '\n%{http_code}\n' "$@"

#!/usr/bin/env bash
# make topology (a stage of make test): one Airflow over three "hosts" of this machine, bootstrapped by
# the dagops.airflow.airflow role on PostgreSQL with CeleryExecutor on Redis, then upgraded in place.
#   host1: api-server, scheduler, dag-processor, triggerer    host2: celery-worker (q2)    host3: celery-worker (q3)
# Each host is an AIRFLOW_HOME of its own under a temporary folder (ansible_connection: local, one
# virtualenv in ~/.cache/dagops-airflow/role-venvs). PostgreSQL and Redis come from Debian's packages
# (apt-get when missing), run on free ports of 127.0.0.1 with their data in the temporary folder, and
# are stopped by pid at the end. The checks:
#   1. the first run bootstraps Airflow 3.2.2 (tests/harness/constraints/airflow-3.2.2-celery.txt); a
#      variable and a connection are written, and a DAG whose tasks are routed to q2 and q3 runs to
#      success through host2's and host3's workers (queue and XCom of each task instance);
#   2. the next run, with airflow_version 3.3.2 (airflow-3.3.2-celery.txt), upgrades in place: every host
#      changes, the database is migrated by one host, the server answers 3.3.2 and keeps the variable,
#      the connection and the DAG run; the routed DAG runs again, on 3.3.2;
#   3. a run after that changes nothing;
#   4. worker 2 stopped by hand: the next run starts it again;
#   5. one [celery] worker option changed: the run restarts the two workers and nothing else;
#   6. no secret (passwords, keys, broker URL) appears in any run's output (-v --diff).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tools=$("$root/tests/harness/venv.sh" tools)
coll=$("$root/scripts/stage.sh" topology)
export PATH="$tools/bin:$PATH" ANSIBLE_COLLECTIONS_PATH="$(cd "$coll/../../.." && pwd)"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 ANSIBLE_HOST_KEY_CHECKING=False
from_version=3.2.2 version=3.3.2

say() { echo "topology: $*" >&2; }
fail() { echo "topology: FAILED: $*" >&2; exit 1; }

if ! command -v redis-server >/dev/null || ! [ -x "$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | tail -n 1)/initdb" ]; then
  say "installing PostgreSQL and Redis from Debian's packages"
  apt_log=$(mktemp "${TMPDIR:-/tmp}/dagops-topology-apt-XXXXXX.log")
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql redis-server; } \
    >"$apt_log" 2>&1 || { tail -n 30 "$apt_log" >&2; fail "apt-get could not install PostgreSQL and Redis (log: $apt_log)"; }
  rm -f "$apt_log"
fi
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)

work=$(mktemp -d "${TMPDIR:-/tmp}/dagops-topology-XXXXXX")
chmod 711 "$work"
pgdata=$work/pg/data redis_dir=$work/redis
# Ended, or a zombie: daemons that outlive this script are reparented to a PID 1 that may not reap them.
gone() { local stat; stat=$(ps -o stat= -p "$1" 2>/dev/null) || return 0; [[ $stat == Z* ]]; }
cleanup() {
  set +e
  for host in host1 host2 host3; do
    [ -x "$work/$host/bin/dagops-airflow-services" ] && "$work/$host/bin/dagops-airflow-services" stop >/dev/null 2>&1
  done
  if [ -f "$redis_dir/redis.pid" ]; then
    pid=$(cat "$redis_dir/redis.pid"); kill "$pid" 2>/dev/null
    for _ in $(seq 50); do gone "$pid" && break; sleep 0.2; done
  fi
  if [ -f "$pgdata/postmaster.pid" ]; then
    pid=$(head -n 1 "$pgdata/postmaster.pid"); kill -INT "$pid" 2>/dev/null  # fast shutdown
    for _ in $(seq 100); do gone "$pid" && break; sleep 0.2; done
  fi
  if [ "${TOPOLOGY_KEEP:-}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

read -r pg_port redis_port api_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')
secret() { od -An -N"${1:-16}" -tx1 /dev/urandom | tr -d ' \n'; }
db_password=db-$(secret) redis_password=redis-$(secret) admin_password=admin-$(secret)
secret_key=sk-$(secret) jwt_secret=jwt-$(secret 24)
fernet_key=$(python3 -c 'import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())')

say "PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port, the API server on 127.0.0.1:$api_port"
mkdir -p "$work/pg/sock" "$redis_dir"
chown -R postgres: "$work/pg"
pwfile=$work/pg/postgres.pw
secret >"$pwfile"; chown postgres: "$pwfile"
runuser -u postgres -- "$pgbin/initdb" -D "$pgdata" -U postgres --pwfile="$pwfile" --auth-local=trust \
  --auth-host=scram-sha-256 -E UTF8 >"$work/pg/initdb.log" 2>&1 || { cat "$work/pg/initdb.log"; fail "initdb"; }
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -l "$work/pg/postgres.log" -w -o \
  "-p $pg_port -k $work/pg/sock -c listen_addresses=127.0.0.1" start >/dev/null || { cat "$work/pg/postgres.log"; fail "PostgreSQL did not start"; }
runuser -u postgres -- "$pgbin/psql" -q -h "$work/pg/sock" -p "$pg_port" -U postgres -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE airflow LOGIN PASSWORD '$db_password'" -c "CREATE DATABASE airflow OWNER airflow" >/dev/null
redis-server --port "$redis_port" --bind 127.0.0.1 --requirepass "$redis_password" --daemonize yes \
  --pidfile "$redis_dir/redis.pid" --dir "$redis_dir" --logfile "$redis_dir/redis.log" --save '' --appendonly no
for _ in $(seq 50); do [ -s "$redis_dir/redis.pid" ] && break; sleep 0.2; done

# The inventory: what the example inventory's production group describes, on this machine.
umask 077
cat >"$work/hosts.yml" <<YAML
all:
  children:
    airflow:
      hosts:
        host1:
          airflow_home: $work/host1
          airflow_services: [api-server, scheduler, dag-processor, triggerer]
        host2:
          airflow_home: $work/host2
          airflow_services: [celery-worker]
          airflow_celery_queues: [q2]
        host3:
          airflow_home: $work/host3
          airflow_services: [celery-worker]
          airflow_celery_queues: [q3]
      vars:
        ansible_connection: local
        ansible_python_interpreter: $tools/bin/python
        airflow_version: "$version"
        airflow_python: python3
        # Upgraded in place by the test, from $from_version to $version; a later test downgrades it again (quick).
        airflow_venv: $HOME/.cache/dagops-airflow/role-venvs/topology-celery-py3.11
        # The three hosts share that virtualenv: pip installs into it one host at a time.
        airflow_install_throttle: 1
        airflow_constraints_file: $coll/tests/harness/constraints/airflow-$version-celery.txt
        airflow_create_system_user: false
        airflow_service_manager: process
        airflow_host: 127.0.0.1
        airflow_port: $api_port
        airflow_url: http://127.0.0.1:$api_port
        airflow_database_url: postgresql+psycopg2://airflow:$db_password@127.0.0.1:$pg_port/airflow
        airflow_celery_broker_url: redis://:$redis_password@127.0.0.1:$redis_port/0
        airflow_celery_result_backend: db+postgresql://airflow:$db_password@127.0.0.1:$pg_port/airflow
        airflow_admin_password: $admin_password
        airflow_fernet_key: $fernet_key
        airflow_secret_key: $secret_key
        airflow_jwt_secret: $jwt_secret
        airflow_health_timeout: 240
        airflow_stop_timeout: 15
        # Small for this machine: Celery forks worker_concurrency processes up front. The DAG processor
        # looks for new DAG files every 10 s, not 300.
        airflow_config_options:
          core: {parallelism: 4}
          dag_processor: {refresh_interval: 10}
          celery: {worker_concurrency: 2}
YAML
cat >"$work/celery-change.yml" <<YAML
airflow_config_options:
  core: {parallelism: 4}
  dag_processor: {refresh_interval: 10}
  celery: {worker_concurrency: 3}
YAML
cat >"$work/from-version.yml" <<YAML
airflow_version: "$from_version"
airflow_constraints_file: $coll/tests/harness/constraints/airflow-$from_version-celery.txt
YAML
umask 022

run=0
converge() {  # converge [ansible-playbook args]: runs the role on the three hosts, log in $work/run-N.log
  run=$((run + 1))
  log=$work/run-$run.log
  say "run $run: ansible-playbook converge.yml $*"
  local start=$SECONDS
  if ! nice ansible-playbook -i "$work/hosts.yml" "$coll/tests/topology/converge.yml" --diff -v "$@" >"$log" 2>&1; then
    tail -n 60 "$log" >&2
    cp "$log" "${TMPDIR:-/tmp}/dagops-topology-run-$run.log.failed"
    fail "run $run failed; log kept in ${TMPDIR:-/tmp}/dagops-topology-run-$run.log.failed"
  fi
  sed -n '/^PLAY RECAP/,$p' "$log" | grep -E '^host' >&2
  say "run $run took $((SECONDS - start)) s"
}
changed() { sed -n '/^PLAY RECAP/,$p' "$log" | sed -nE "s/^$1 +: .*changed=([0-9]+).*/\1/p"; }
pids() {  # which processes run each service on every host (supervisor and airflow pid), one JSON object
  for host in host1 host2 host3; do "$work/$host/bin/dagops-airflow-services" status; done \
    | python3 -c 'import json, sys
print(json.dumps({f"host{i + 1}:{name}": [s["supervisor_pid"], s["pid"]] for i, line in enumerate(sys.stdin)
                  for name, s in json.loads(line)["services"].items()}, sort_keys=True))'
}
check_dag() {
  say "running dagops_topology_queues"
  TOPOLOGY_PASSWORD=$admin_password python3 "$root/tests/topology/check_dag.py" "http://127.0.0.1:$api_port" admin \
    "$work/host2" "$work/host3" || { tail -n 30 "$work"/host*/logs/celery-worker.log >&2; fail "the DAG did not run as routed"; }
}
check_upgrade() {  # check_upgrade seed|verify VERSION
  TOPOLOGY_PASSWORD=$admin_password python3 "$root/tests/topology/check_upgrade.py" "$1" "http://127.0.0.1:$api_port" admin "$2" \
    || fail "check_upgrade $1 $2"
}
changed_hosts_of() {  # the hosts on which the task named $1 changed in the last run
  awk -v task="TASK [dagops.airflow.airflow : $1]" 'index($0, "TASK [") == 1 { inside = index($0, task) == 1 }
    inside && /^changed: \[/ { print }' "$log" | sed -E 's/^changed: \[([^]]+)\].*/\1/' | sort -u | xargs
}

converge -e "@$work/from-version.yml"
for host in host1 host2 host3; do [ "$(changed $host)" -gt 0 ] || fail "run 1 changed nothing on $host"; done
[ "$(changed_hosts_of "Migrate Airflow's database")" = host1 ] || fail "run 1 should migrate the database once, on host1"
check_upgrade seed "$from_version"
check_dag

say "upgrading in place to $version"
before=$(pids)
converge
after=$(pids)
python3 - "$before" "$after" <<'PY' || fail "the upgrade should restart every service"
import json, sys
before, after = json.loads(sys.argv[1]), json.loads(sys.argv[2])
kept = sorted(name for name in before if before[name] == after.get(name))
print(f"topology: services the upgrade did not restart: {kept}", file=sys.stderr)
sys.exit(bool(kept))
PY
for host in host1 host2 host3; do [ "$(changed $host)" -gt 0 ] || fail "the upgrade changed nothing on $host"; done
migrated=$(changed_hosts_of "Migrate Airflow's database")
[ "$migrated" = host1 ] || fail "the upgrade should migrate the database once, on host1; it did on: '$migrated'"
check_upgrade verify "$version"
check_dag

converge
for host in host1 host2 host3; do [ "$(changed $host)" = 0 ] || fail "run $run changed $host (changed=$(changed $host)), expected 0"; done

say "stopping host2's celery-worker by hand"
"$work/host2/bin/dagops-airflow-services" stop celery-worker >/dev/null
converge
[ "$(changed host2)" -gt 0 ] || fail "run $run did not start host2's worker again"
"$work/host2/bin/dagops-airflow-services" status celery-worker | grep -q '"running": true' || fail "host2's worker does not run after run $run"
for host in host1 host3; do [ "$(changed $host)" = 0 ] || fail "run $run changed $host"; done

before=$(pids)
converge -e "@$work/celery-change.yml"
after=$(pids)
python3 - "$before" "$after" <<'PY' || fail "a [celery] worker option should restart both workers and nothing else"
import json, sys
before, after = json.loads(sys.argv[1]), json.loads(sys.argv[2])
restarted = sorted(name for name in before if before[name] != after.get(name))
print(f"topology: restarted by the [celery] worker_concurrency change: {restarted}", file=sys.stderr)
sys.exit(restarted != ["host2:celery-worker", "host3:celery-worker"])
PY

for secret_value in "$db_password" "$redis_password" "$admin_password" "$secret_key" "$jwt_secret" "$fernet_key"; do
  if grep -lF -- "$secret_value" "$work"/run-*.log; then fail "a secret appears in the output of the runs above"; fi
done
say "passed: $run runs, $from_version upgraded to $version with its state kept, the DAG ran through the q2 and q3 workers on both; no secret in $(cat "$work"/run-*.log | wc -l) lines"

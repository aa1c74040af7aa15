"""The old plugin's `pool` call (cmd=set, get, delete; nothing: list), in-process through pools.py."""
from dagops_rest_api import pools
from dagops_rest_api.legacy_calls import LegacyCallError, handler, optional

COLUMNS = ("pool", "slots", "description")


def table(summaries):
    return "\n".join(" | ".join(str(summary[column]) for column in COLUMNS) for summary in summaries)


@handler("pool")
def pool(_service, envelope, call):
    args, outputs, commands = call.args, [], []
    if optional(args, "cmd") not in (None, "set"):
        raise LegacyCallError(400, f"api=pool: cmd must be 'set', not {args.get('cmd')!r}")
    if optional(args, "cmd") == "set" or "set" in args:
        name, slots = optional(args, "pool_name"), optional(args, "slot_count")
        if name is None or slots is None:
            raise LegacyCallError(400, "api=pool&cmd=set needs pool_name and slot_count (and description)")
        description = args.get("description")
        commands.append(f"airflow pools set {name} {slots} {description or ''}".rstrip())
        outputs.append("Pool set: " + table([pools.set_pool(name, slots, description)]))
    if optional(args, "get"):
        commands.append(f"airflow pools get {args['get']}")
        outputs.append(table([pools.get_pool(args["get"])]))
    if optional(args, "delete"):
        commands.append(f"airflow pools delete {args['delete']}")
        outputs.append("Pool deleted: " + table([pools.delete_pool(args["delete"])]))
    if not commands:
        commands.append("airflow pools list")
        outputs.append(table(pools.list_pools()))
    envelope.airflow_cmd = " && ".join(commands)
    return "\n".join(outputs)

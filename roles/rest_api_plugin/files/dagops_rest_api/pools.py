"""Pools through Airflow's own ORM, inside the server process (Airflow 2.11 and 3.x): the operations
the experimental API and the old REST API plugin's `pool` call share.

A pool's dict (`pool_summary`) is Airflow's `Pool.to_json()` of 2.x: id, pool (the name), slots,
description, include_deferred. Refusals raise operation_errors.NotFound or BadRequest.
"""
# pylint: disable=import-outside-toplevel
from dagops_rest_api.operation_errors import BadRequest, NotFound

DEFAULT_POOL = "default_pool"


# --- pure helpers (unit-tested without Airflow) --------------------------------------------------
def check_name(name):
    """The pool's name as given; BadRequest for none or only blanks (a name is data, never parsed)."""
    if not isinstance(name, str) or not name.strip():
        raise BadRequest("Pool name shouldn't be empty")
    return name


def parse_slots(slots):
    """Slots as an integer from a number or its text; -1 means unlimited where Airflow allows it."""
    if isinstance(slots, bool):
        raise BadRequest(f"Bad value for `slots`: {slots}")
    try:
        value = int(str(slots).strip()) if not isinstance(slots, int) else slots
    except ValueError:
        raise BadRequest(f"Bad value for `slots`: {slots}") from None
    if value < -1:
        raise BadRequest(f"Bad value for `slots`: {slots} (a number of slots, or -1 for unlimited)")
    return value


def pool_summary(pool):
    return {"id": pool.id, "pool": pool.pool, "slots": pool.slots, "description": pool.description,
            "include_deferred": bool(getattr(pool, "include_deferred", False))}


# --- the Airflow side ----------------------------------------------------------------------------
def _session():
    from airflow.utils.session import create_session

    return create_session()


def _find(session, name):
    from airflow.models.pool import Pool
    from sqlalchemy import select

    return session.scalar(select(Pool).where(Pool.pool == name).limit(1))


def list_pools():
    """Every pool (pool_summary), by name."""
    from airflow.models.pool import Pool
    from sqlalchemy import select

    with _session() as session:
        return [pool_summary(pool) for pool in session.scalars(select(Pool).order_by(Pool.pool))]


def get_pool(name):
    check_name(name)
    with _session() as session:
        pool = _find(session, name)
        if pool is None:
            raise NotFound(f"Pool '{name}' doesn't exist")
        return pool_summary(pool)


def set_pool(name, slots, description=None, include_deferred=None):
    """Create the pool or change its slots (and description, include_deferred when given);
    answers pool_summary."""
    from airflow.models.pool import Pool

    check_name(name)
    slots = parse_slots(slots)
    length = Pool.pool.property.columns[0].type.length
    if length and len(name) > length:
        raise BadRequest(f"Pool name can't be more than {length} characters")
    if description is not None and not isinstance(description, str):
        raise BadRequest("Pool description must be text")
    with _session() as session:
        pool = _find(session, name)
        if pool is None:
            pool = Pool(pool=name, slots=slots, description=description or "",
                        include_deferred=bool(include_deferred))
            session.add(pool)
        else:
            pool.slots = slots
            if description is not None:
                pool.description = description
            if include_deferred is not None:
                pool.include_deferred = bool(include_deferred)
        session.flush()
        return pool_summary(pool)


def delete_pool(name):
    """Delete the pool; answers what it was. default_pool cannot be deleted (BadRequest)."""
    check_name(name)
    if name == DEFAULT_POOL:
        raise BadRequest(f"{DEFAULT_POOL} cannot be deleted")
    with _session() as session:
        pool = _find(session, name)
        if pool is None:
            raise NotFound(f"Pool '{name}' doesn't exist")
        summary = pool_summary(pool)
        session.delete(pool)
        return summary

"""Create an Airflow admin in FAB's user store unless a user of that name exists.

  dagops-airflow-services python dagops_airflow_fab_admin.py --username U --email E --firstname F --lastname L

The password is read from the first line of stdin, so it appears on no command line. Runs in Airflow's
virtualenv: Airflow 2.x, or 3.x with the FAB provider. Prints Airflow's own message: `... created with
role ...` when it created the user, `... already exist in the db` when the user was there.
"""
import argparse
import sys


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    for option in ("username", "email", "firstname", "lastname"):
        parser.add_argument(f"--{option}", required=True)
    parser.add_argument("--role", default="Admin")
    options = parser.parse_args(argv)
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        sys.exit("no password on stdin")
    # The CLI's own function (`airflow users create`): the same checks and messages on 2.x and 3.x.
    # Its audit log entry records sys.argv, which holds no password here.
    from airflow.providers.fab.auth_manager.cli_commands.user_command import users_create

    users_create(argparse.Namespace(username=options.username, email=options.email, firstname=options.firstname,
                                    lastname=options.lastname, role=options.role, password=password,
                                    use_random_password=False, verbose=False))


if __name__ == "__main__":
    main(sys.argv[1:])

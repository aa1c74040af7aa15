"""A helper module (it defines no DAG), deployed before the files that import it."""
TAG = "dagops-it-tree"

raise RuntimeError("a hidden file must never be deployed")

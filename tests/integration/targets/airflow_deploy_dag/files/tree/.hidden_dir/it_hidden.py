raise RuntimeError("a hidden directory must never be deployed")

"""The web console (issue 23): server-rendered Chinese pages over the registry, with users and roles."""

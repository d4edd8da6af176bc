"""The ledger (台账): its vocabulary, files, sync, accounts, audit trail and reviews."""

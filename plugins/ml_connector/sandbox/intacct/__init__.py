"""The local Intacct XML gateway (sandbox). Shares no code with ml_connector.intacct."""

"""Insights hold public numbers about the workspace's own posts and accounts, and nothing about
a person: no field here names, addresses or identifies anyone. They are deleted with the
account they belong to (disconnecting it) or the workspace."""

"""The admin console at /admin: server-rendered pages (Jinja2 + vendored htmx) over the REST API.

The console holds no business logic and no upstream clients of its own: every page calls the
edge's REST routes in process (`ConsoleApi`), with the operator's access token, so the
contracts' access policy and the services' own checks apply exactly as for any API client.
What a page offers is read from the same contracts (`Permissions`).
"""

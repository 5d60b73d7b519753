"""The admin service: staff roles, user suspensions and the record of admin actions."""

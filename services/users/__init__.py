"""The users service: profiles, contact data and KYC status (meshwork.users.v1)."""

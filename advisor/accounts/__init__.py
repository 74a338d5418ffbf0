"""User accounts: administrators, advisors and analysts (no self-service sign-up)."""

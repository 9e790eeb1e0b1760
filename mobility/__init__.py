"""Follow-up of Mid Sweden University's action plan for mobility."""

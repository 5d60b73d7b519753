"""The orders service: orderses owned by users."""

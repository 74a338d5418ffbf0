"""Advisors: assessments handed to them, and (next) guided sessions with several respondents."""

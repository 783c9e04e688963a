"""Demo data: the shared catalog plus invented lab details, contacts, pages and logins."""

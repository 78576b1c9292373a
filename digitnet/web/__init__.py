"""The explorer page: a small standard-library HTTP server (``server``), what it can answer
(``explorer``), the checks on every request (``validation``), background jobs (``jobs``), and the
page itself (``static/``: HTML, CSS and JavaScript, served by digitnet; nothing from elsewhere).
"""

"""Import and export of actors and ties as CSV and XLSX (also Kumu spreadsheets).

`import_files` and `export_actors` / `export_ties` are the entry points; the web views and the
`tejido import` / `tejido export` commands call them.
"""

"""Import and export of the registry tables: CSV for every table, GeoJSON for sites, assets
and areas. The CLI (`gaswarden import|export`) and the API (`/api/v1/<table>/import|export`)
are thin edges over `formats.import_file` and `exporter.export`."""

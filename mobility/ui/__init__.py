"""The only part of the package that imports streamlit: page shell, auth gate, cached loaders, widgets."""

"""The package version, in a module of its own (as httpx does).

``from hipstride import __version__`` then names this leaf module for import analysis, not the
package face: modules in the lower layers can ask for the version without appearing to import
everything the curated API in ``hipstride/__init__.py`` names.
"""

__version__ = "0.1.0"

# The project app holds no models of its own. This module exists so that Django sends the
# project app its post_migrate signal, on which cms.roles is applied (see cms.apps).

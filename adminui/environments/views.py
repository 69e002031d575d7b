"""All environments (/environments/) and keys across environments (/environments/keys/): one
row or column per environment the user may see."""

from __future__ import annotations

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from adminui.environments.matrix import key_matrix
from adminui.environments.rows import environment_rows
from adminui.keys.providers import provider_label
from adminui.web.htmx import HtmxHttpRequest, render_page
from adminui.web.roles import Role, role_required, visible_environments


@require_GET
@role_required(Role.VIEWER)
def all_environments(request: HtmxHttpRequest) -> HttpResponse:
    rows = environment_rows(visible_environments(request.user))
    return render_page(request, "environments/all.html", {"rows": rows}, partial="environment-rows")


@require_GET
@role_required(Role.VIEWER)
def keys_matrix(request: HtmxHttpRequest) -> HttpResponse:
    matrix = key_matrix(visible_environments(request.user))
    context = {"matrix": matrix, "unused": [provider_label(slug) for slug in matrix.unused]}
    return render_page(request, "environments/keys.html", context, partial="key-matrix")

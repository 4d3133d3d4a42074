"""Where people land after signing in."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render


@login_required
def signed_in(request):
    """Staff to the admin, other role holders to the board; someone whose provider roles
    map to no FusionOps role learns that they have no access yet, and from whom to ask."""
    user = request.user
    if user.is_superuser or user.is_staff:
        return redirect("admin:index")
    if user.groups.exists():
        return redirect("board")
    return render(request, "accounts/no_access.html", status=403)

from django.urls import path

from vrijuit.org import background, invitation_views, views

app_name = "org"
urlpatterns = [
    path("units/", views.units, name="units"),
    path("units/<int:unit_id>/", views.unit_detail, name="unit_detail"),
    path("people/", views.people, name="people"),
    path(
        "people/<int:person_id>/invitation/",
        invitation_views.send_invitation,
        name="send_invitation",
    ),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:upload_id>/", views.import_preview, name="import_preview"),
    path("import/<int:upload_id>/apply/", views.import_apply, name="import_apply"),
    # Your own declaration: no id in the URL, the page is always about the logged-in account.
    path("me/background/", background.background, name="background"),
    path("me/background/withdraw/", background.background_withdraw, name="background_withdraw"),
]

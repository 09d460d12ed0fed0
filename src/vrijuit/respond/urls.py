from django.urls import path

from vrijuit.respond import views

app_name = "respond"
urlpatterns = [
    path("", views.start, name="start"),
    path("questions/", views.questions, name="questions"),
    path("thanks/", views.thanks, name="thanks"),
]

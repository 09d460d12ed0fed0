from django.urls import path

from vrijuit.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("language/", views.switch_language, name="switch_language"),
]

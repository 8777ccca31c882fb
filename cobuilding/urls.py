from django.urls import path

from . import views

app_name = "cobuilding"

urlpatterns = [
    path("", views.activity_list, name="index"),
    path("<int:pk>/", views.activity_detail, name="activity"),
]

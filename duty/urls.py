from django.urls import path

from . import views

app_name = "duty"

urlpatterns = [
    path("", views.roster, name="roster"),
    path("posts/", views.posts, name="posts"),
    path("request/", views.file_request, name="request"),
    path("follow/", views.follow_request, name="follow"),
    path("request/<str:reference>/", views.request_status, name="request_status"),
]

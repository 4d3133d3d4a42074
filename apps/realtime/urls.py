from django.urls import path

from apps.realtime import views

urlpatterns = [path("board/", views.board, name="board")]

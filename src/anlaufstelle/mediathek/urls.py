from django.urls import path

from . import views

app_name = "mediathek"

urlpatterns = [
    path("", views.media_list, name="list"),
    path("podcast.xml", views.podcast_feed, name="feed"),
    path("artikel/<slug:slug>/", views.article, name="article"),
    path("podcast/<slug:slug>/", views.episode, name="episode"),
    path("podcast/<slug:slug>/audio", views.episode_audio, name="audio"),
    path("podcast/<slug:slug>/transkript.txt", views.episode_transcript, name="transcript"),
    path("video/<slug:slug>/", views.video, name="video"),
    path("video/<slug:slug>/laden/", views.video_embed, name="video_embed"),
    path("video/<slug:slug>/datei", views.video_file, name="video_file"),
    path("video/<slug:slug>/untertitel.vtt", views.video_captions, name="captions"),
    path("bild/<str:code>/", views.image, name="image"),
]

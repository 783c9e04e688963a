from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "anlaufstelle.api"
    verbose_name = "API"

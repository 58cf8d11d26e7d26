"""Placeholder router: filled in by the domain's API module."""

from fastapi import APIRouter

router = APIRouter()

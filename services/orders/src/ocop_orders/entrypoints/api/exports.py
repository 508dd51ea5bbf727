"""XLSX exports of the showroom console."""

from fastapi import APIRouter

router = APIRouter()

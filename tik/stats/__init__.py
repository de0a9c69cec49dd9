"""Anonymised statistics for leaders and analysts: is early intervention working?"""

"""Authentication payloads."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from core.users import Role


class TokenPublic(BaseModel):
    """An OAuth2 bearer token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIs...",
                    "token_type": "bearer",
                    "expires_in": 43200,
                }
            ]
        }
    )

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="seconds until the token expires")


class UserBase(BaseModel):
    """A user's public attributes."""

    username: str = Field(examples=["driver1"])
    role: Role
    vehicle_ids: list[str] = Field(default_factory=list, examples=[["truck-001"]])


class UserPublic(UserBase):
    """A user as returned by the API (never the password hash)."""

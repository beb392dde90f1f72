"""Reference union back end: membership applications, cases, courses and enrollments,
union founding requests, suggestions (all tables prefixed ub_); seeds a few training courses.

Revision ID: backend_0001
Revises:
Create Date: 2026-05-09
"""
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "backend_0001"
down_revision = None
branch_labels = ("backend",)
depends_on = None


def _timestamps(*names):
    return [sa.Column(n, sa.DateTime(timezone=True), nullable=False) for n in names]


def upgrade() -> None:
    op.create_table(
        "ub_membership_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("id_number", sa.String(18), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("employer", sa.String(200), nullable=False),
        sa.Column("industry", sa.String(100), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("channel_user", sa.String(200), nullable=True),
        *_timestamps("created_at", "updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_ub_membership_applications"),
        sa.UniqueConstraint("number", name="uq_ub_membership_applications_number"),
        sa.CheckConstraint("status IN ('submitted', 'approved', 'rejected')", name="ck_ub_membership_status"),
    )
    op.create_index("ix_ub_membership_applications_id_number", "ub_membership_applications", ["id_number"])
    op.create_index("ix_ub_membership_applications_phone", "ub_membership_applications", ["phone"])
    op.create_index("ix_ub_membership_applications_channel_user", "ub_membership_applications", ["channel_user"])

    op.create_table(
        "ub_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("name", sa.String(64), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("channel_user", sa.String(200), nullable=True),
        *_timestamps("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_ub_cases"),
        sa.UniqueConstraint("number", name="uq_ub_cases_number"),
        sa.CheckConstraint(
            "type IN ('wage_arrears', 'work_injury', 'legal_aid', 'hardship_aid', 'medical_mutual_aid')",
            name="ck_ub_cases_type"),
        sa.CheckConstraint("priority IN ('normal', 'urgent')", name="ck_ub_cases_priority"),
        sa.CheckConstraint("status IN ('open', 'in_progress', 'closed')", name="ck_ub_cases_status"),
    )
    op.create_index("ix_ub_cases_type", "ub_cases", ["type"])
    op.create_index("ix_ub_cases_phone", "ub_cases", ["phone"])
    op.create_index("ix_ub_cases_channel_user", "ub_cases", ["channel_user"])

    courses = op.create_table(
        "ub_courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("location", sa.String(200), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ub_courses"),
        sa.CheckConstraint("seats >= 0", name="ck_ub_courses_seats"),
    )

    op.create_table(
        "ub_enrollments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("channel_user", sa.String(200), nullable=True),
        *_timestamps("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_ub_enrollments"),
        sa.ForeignKeyConstraint(["course_id"], ["ub_courses.id"], ondelete="CASCADE",
                                name="fk_ub_enrollments_course_id_ub_courses"),
        sa.UniqueConstraint("number", name="uq_ub_enrollments_number"),
        sa.UniqueConstraint("course_id", "phone", name="uq_ub_enrollments_course_phone"),
        sa.CheckConstraint("status IN ('enrolled', 'waitlisted')", name="ck_ub_enrollments_status"),
    )
    op.create_index("ix_ub_enrollments_course_id", "ub_enrollments", ["course_id"])

    op.create_table(
        "ub_union_founding_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("company", sa.String(200), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("contact_name", sa.String(64), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("channel_user", sa.String(200), nullable=True),
        *_timestamps("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_ub_union_founding_requests"),
        sa.UniqueConstraint("number", name="uq_ub_union_founding_requests_number"),
    )
    op.create_index("ix_ub_union_founding_requests_phone", "ub_union_founding_requests", ["phone"])
    op.create_index("ix_ub_union_founding_requests_channel_user", "ub_union_founding_requests", ["channel_user"])

    op.create_table(
        "ub_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("name", sa.String(64), nullable=True),
        sa.Column("phone", sa.String(20), nullable=True),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("channel_user", sa.String(200), nullable=True),
        *_timestamps("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_ub_suggestions"),
        sa.UniqueConstraint("number", name="uq_ub_suggestions_number"),
    )
    op.create_index("ix_ub_suggestions_phone", "ub_suggestions", ["phone"])
    op.create_index("ix_ub_suggestions_channel_user", "ub_suggestions", ["channel_user"])

    # A few courses so a fresh installation has something to sign up for; dates are relative to
    # the day the database is set up, so they lie in the future.
    today = date.today()

    def day(n: int) -> date:
        return today + timedelta(days=n)

    op.bulk_insert(courses, [
        {"title": "低压电工证培训", "location": "市职工服务中心 3楼培训室", "seats": 30,
         "starts_on": day(14), "ends_on": day(28),
         "description": "面向有意从事电工作业的职工，理论加实操，结业后统一参加特种作业操作证（低压电工）考试。"
                        "工会会员免培训费，需自带身份证复印件和一寸照片2张。"},
        {"title": "育婴师（五级）技能培训", "location": "市职工服务中心 2楼多功能厅", "seats": 25,
         "starts_on": day(21), "ends_on": day(42),
         "description": "学习婴幼儿生活照料、保健与早期教育，周末上课；考核合格可取得育婴师职业技能等级证书。"},
        {"title": "快递外卖骑手安全驾驶课", "location": "新就业形态劳动者服务站（人民路站）", "seats": 40,
         "starts_on": day(7), "ends_on": day(7),
         "description": "半天课程：电动车安全驾驶、交通法规、雨雪天骑行和事故后的处置与工伤保障，结课送安全头盔。"},
        {"title": "电脑基础与智能手机办事", "location": "市职工服务中心 机房", "seats": 20,
         "starts_on": day(10), "ends_on": day(24),
         "description": "零基础学电脑：打字、Word/Excel、上网查信息；手机上办社保、公积金和工会会员服务。"
                        "每周二、四晚上7点到9点。"},
    ])


def downgrade() -> None:
    op.drop_table("ub_suggestions")
    op.drop_table("ub_union_founding_requests")
    op.drop_table("ub_enrollments")
    op.drop_table("ub_courses")
    op.drop_table("ub_cases")
    op.drop_table("ub_membership_applications")

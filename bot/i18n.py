"""The digest's own labels in the channel's language (English and Chinese; others fall back)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "digest_title": "Papers for {date}",
        "summary_line": "{shown} new papers (of {matched} that matched your topics)",
        "themes": "Today's themes",
        "one_line": "In one line",
        "tldr": "TL;DR",
        "motivation": "Motivation",
        "method": "Method",
        "result": "Result",
        "conclusion": "Conclusion",
        "keywords": "Keywords",
        "score": "Score",
        "relevance": "relevance",
        "et_al": "et al.",
        "replaced": "new version",
        "nothing": "No new papers matched your topics for {date}.",
        "extractive": "Summaries are extracts from the abstracts (no LLM configured).",
        "theme": "{count} papers on {topic}",
        "fallback": "Some summaries are extracts from the abstracts: the LLM did not answer.",
        "fallback_all": "All summaries are extracts from the abstracts: the LLM did not answer.",
        "llm_budget_exhausted": "Today's LLM token budget is spent: summaries are extracts.",
        "weekly_title": "Weekly briefing: {first} to {last}",
        "weekly_summary": "{papers} papers this week",
        "weekly_top": "Top papers",
        "weekly_themes": "This week's themes",
        "weekly_theme": "{topic}: {count} ({change})",
        "weekly_chart": "Papers per topic per day",
        "weekly_topic": "topic",
        "weekly_total": "total",
    },
    "zh": {
        "digest_title": "{date} 论文速递",
        "summary_line": "{shown} 篇新论文（共 {matched} 篇匹配您的主题）",
        "themes": "今日主题",
        "one_line": "一句话总结",
        "tldr": "要点",
        "motivation": "动机",
        "method": "方法",
        "result": "结果",
        "conclusion": "结论",
        "keywords": "关键词",
        "score": "评分",
        "relevance": "相关度",
        "et_al": "等",
        "replaced": "新版本",
        "nothing": "{date} 没有与您的主题匹配的新论文。",
        "extractive": "摘要为原文摘录（未配置 LLM）。",
        "theme": "{count} 篇关于 {topic}",
        "fallback": "部分摘要为原文摘录：LLM 未能响应。",
        "fallback_all": "所有摘要均为原文摘录：LLM 未能响应。",
        "llm_budget_exhausted": "今日 LLM 令牌预算已用完：摘要为原文摘录。",
        "weekly_title": "每周简报：{first} 至 {last}",
        "weekly_summary": "本周 {papers} 篇论文",
        "weekly_top": "本周精选",
        "weekly_themes": "本周主题",
        "weekly_theme": "{topic}：{count}（{change}）",
        "weekly_chart": "每个主题每天的论文数",
        "weekly_topic": "主题",
        "weekly_total": "合计",
    },
}


def labels(language: str) -> dict[str, str]:
    """The label set for a language code (`zh-CN` uses `zh`); English when there is none."""
    base = language.lower().split("-", 1)[0]
    return LABELS.get(base, LABELS["en"])

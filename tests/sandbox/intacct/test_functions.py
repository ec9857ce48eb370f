"""Reading (readByQuery/readMore/query/read) and writing (create/update) over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from xml.sax.saxutils import escape

from lxml import etree

from tests.sandbox.intacct.conftest import Gateway, data_of, errornos, fn


def _rbq(obj: str, query: str = "", pagesize: int | None = None, fields: str = "*") -> str:
    size = f"<pagesize>{pagesize}</pagesize>" if pagesize else ""
    return fn(f"<readByQuery><object>{obj}</object><fields>{fields}</fields><query>{escape(query)}</query>{size}</readByQuery>")


def _more(result_id: str) -> str:
    return fn(f"<readMore><resultId>{result_id}</resultId></readMore>")


def _query(obj: str, fields: list[str], extra: str = "") -> str:
    select = "".join(f"<field>{name}</field>" for name in fields)
    return fn(f"<query><select>{select}</select><object>{obj}</object>{extra}</query>")


def test_read_by_query_pages_through_every_bill_once(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(bills=250)
    first = data_of(gw.result(_rbq("APBILL", pagesize=100)))
    assert (first.get("count"), first.get("totalcount"), first.get("numremaining")) == ("100", "250", "150")
    assert first[0].tag == "apbill"
    seen = [r.findtext("RECORDNO") for r in first]
    result_id = first.get("resultId")
    assert result_id
    while True:
        page = data_of(gw.result(_more(result_id)))
        assert page.get("listtype") == "apbill"
        seen += [r.findtext("RECORDNO") for r in page]
        if page.get("numremaining") == "0":
            break
    assert len(seen) == 250 and len(set(seen)) == 250
    # A fully read result set is gone.
    again = gw.result(_more(result_id))
    assert again.findtext("status") == "failure"


def test_read_by_query_default_pagesize_is_100_and_small_results_have_no_result_id(
    make_gateway: Callable[..., Gateway],
) -> None:
    gw = make_gateway(bills=120)
    everything = data_of(gw.result(_rbq("APBILL")))
    assert (everything.get("count"), everything.get("numremaining")) == ("100", "20")
    small = data_of(gw.result(_rbq("VENDOR", "VENDORID = 'V00001'")))
    assert (small.get("count"), small.get("numremaining"), small.get("resultId")) == ("1", "0", "")


def test_expired_result_id_fails_with_read_more_failed(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway(result_id_ttl_seconds=60)
    result_id = data_of(gw.result(_rbq("APBILL", pagesize=5))).get("resultId")
    gw.sandbox.clock.advance(61)
    result = gw.result(_more(result_id))
    assert result.findtext("status") == "failure"
    assert errornos(result) == ["readMore failed"]
    assert result.findtext("errormessage/error/description2") == (
        f"Attempt to readMore with an invalid or expired resultId: {result_id}")


def test_read_by_query_language(gw: Gateway) -> None:
    def ids(query: str, obj: str = "VENDOR", field: str = "VENDORID") -> list[str]:
        result = gw.result(_rbq(obj, query, pagesize=1000))
        assert result.findtext("status") == "success", etree.tostring(result)
        return [r.findtext(field) for r in data_of(result)]

    vendors = gw.sandbox.records("VENDOR")
    assert ids("NAME = 'O\\'Brien & Sons <Intl>'") == ["V00001"]
    assert ids("NAME like '%Zürich%'") == ["V00002"]
    assert ids("VENDORID in ('V00002', 'V00003') AND NOT (VENDORID = 'V00003')") == ["V00002"]
    assert ids("VENDORID not in ('V00001') AND RECORDNO <= 3") == ["V00002", "V00003"]
    assert ids("RECORDNO > 10 OR RECORDNO < 2") == ["V00001", "V00011", "V00012"]
    inactive = sorted(v["VENDORID"] for v in vendors if v["STATUS"] == "inactive")
    assert ids("STATUS = 'F'") == inactive  # legacy letter codes
    assert ids("STATUS = 'inactive'") == inactive
    with_hubspot = sorted(v["VENDORID"] for v in vendors if v["HUBSPOT_COMPANY_ID"])
    assert ids("HUBSPOT_COMPANY_ID IS NOT NULL") == with_hubspot
    assert len(ids("HUBSPOT_COMPANY_ID IS NULL")) == len(vendors) - len(with_hubspot)
    assert ids("CREDITLIMIT >= 1000 AND CREDITLIMIT < 1000.01") == sorted(
        v["VENDORID"] for v in vendors if v["CREDITLIMIT"] == 1000)
    bills = gw.sandbox.records("APBILL")
    assert ids("WHENMODIFIED IS NULL", "APBILL", "RECORDNO") == [str(b["RECORDNO"]) for b in bills if b["WHENMODIFIED"] is None]
    for bad in ("VENDORID = ", "NOPE = 'x'", "VENDORID = 'x' AND", "(VENDORID = 'x'", "RECORDNO = 'abc'"):
        result = gw.result(_rbq("VENDOR", bad))
        assert result.findtext("status") == "failure", bad
        assert errornos(result) == ["Query Failed"], bad
    unknown = gw.result(_rbq("NOTANOBJECT"))
    assert errornos(unknown) == ["Query Failed"]
    assert unknown.findtext("errormessage/error/description2") == "Object definition NOTANOBJECT not found"


def test_timestamps_compare_as_instants_in_user_offset(gw: Gateway) -> None:
    bills = [b for b in gw.sandbox.records("APBILL") if b["WHENMODIFIED"] is not None]
    pivot = sorted(b["WHENMODIFIED"] for b in bills)[len(bills) // 2]
    local = pivot.astimezone(gw.sandbox.tz).strftime("%m/%d/%Y %H:%M:%S")
    expected = sorted(b["RECORDNO"] for b in bills if b["WHENMODIFIED"] >= pivot)
    result = gw.result(_rbq("APBILL", f"WHENMODIFIED >= '{local}'", pagesize=1000, fields="RECORDNO,WHENMODIFIED"))
    records = data_of(result)
    assert sorted(int(r.findtext("RECORDNO")) for r in records) == expected
    assert [child.tag for child in records[0]] == ["RECORDNO", "WHENMODIFIED"]
    # One second later in the user's zone excludes the pivot's bills.
    later = (pivot + timedelta(seconds=1)).astimezone(gw.sandbox.tz).strftime("%m/%d/%Y %H:%M:%S")
    fewer = data_of(gw.result(_rbq("APBILL", f"WHENMODIFIED >= '{later}'", pagesize=1000)))
    assert int(fewer.get("totalcount")) == len(expected) - sum(1 for b in bills if b["WHENMODIFIED"] == pivot)


def test_query_filter_orderby_offset(gw: Gateway) -> None:
    bills = [b for b in gw.sandbox.records("APBILL") if b["WHENMODIFIED"] is not None]
    expected = sorted(bills, key=lambda b: (b["WHENMODIFIED"], -b["RECORDNO"]))
    extra = (
        "<filter><and><isnotnull><field>WHENMODIFIED</field></isnotnull>"
        "<in><field>CURRENCY</field><value>USD</value><value>EUR</value><value>GBP</value><value>CAD</value></in></and></filter>"
        "<orderby><order><field>WHENMODIFIED</field><ascending/></order><order><field>RECORDNO</field><descending/></order></orderby>"
        "<pagesize>7</pagesize><offset>3</offset>"
    )
    data = data_of(gw.result(_query("APBILL", ["RECORDNO", "WHENMODIFIED", "VENDORID"], extra)))
    assert (data.get("listtype"), data.get("offset"), data.get("count")) == ("APBILL", "3", "7")
    assert data.get("totalcount") == str(len(bills))
    assert data.get("numremaining") == str(len(bills) - 10)
    assert data.get("resultId") is None
    assert [int(r.findtext("RECORDNO")) for r in data] == [b["RECORDNO"] for b in expected[3:10]]
    assert [child.tag for child in data[0]] == ["RECORDNO", "WHENMODIFIED", "VENDORID"]


def test_query_operators(gw: Gateway) -> None:
    def count(filter_xml: str, obj: str = "VENDOR", options: str = "") -> int:
        result = gw.result(_query(obj, ["RECORDNO"], f"<filter>{filter_xml}</filter>{options}<pagesize>2000</pagesize>"))
        assert result.findtext("status") == "success", etree.tostring(result)
        return int(data_of(result).get("totalcount"))

    vendors = gw.sandbox.records("VENDOR")
    assert count("<equalto><field>VENDORID</field><value>V00003</value></equalto>") == 1
    assert count("<notequalto><field>VENDORID</field><value>V00003</value></notequalto>") == len(vendors) - 1
    assert count("<between><field>RECORDNO</field><value>2</value><value>5</value></between>") == 4
    assert count("<lessthan><field>RECORDNO</field><value>3</value></lessthan>") == 2
    assert count("<greaterthan><field>RECORDNO</field><value>10</value></greaterthan>") == len(vendors) - 10
    assert count("<notin><field>VENDORID</field><value>V00001</value><value>V00002</value></notin>") == len(vendors) - 2
    assert count("<like><field>NAME</field><value>%&amp;%</value></like>") == sum("&" in v["NAME"] for v in vendors)
    assert count("<notlike><field>NAME</field><value>%&amp;%</value></notlike>") == sum("&" not in v["NAME"] for v in vendors)
    assert count("<equalto><field>NAME</field><value>café zürich gmbh</value></equalto>") == 0
    assert count("<equalto><field>NAME</field><value>café zürich gmbh</value></equalto>",
                 options="<options><caseinsensitive>true</caseinsensitive></options>") == 1
    assert count("<or><equalto><field>DISPLAYCONTACT.MAILADDRESS.COUNTRYCODE</field><value>CH</value></equalto>"
                 "<isnull><field>HUBSPOT_COMPANY_ID</field></isnull></or>") == sum(
        1 for v in vendors if v["DISPLAYCONTACT"]["MAILADDRESS"]["COUNTRYCODE"] == "CH" or not v["HUBSPOT_COMPANY_ID"])
    bad = gw.result(_query("VENDOR", ["NOPE"]))
    assert bad.findtext("status") == "failure" and errornos(bad) == ["Query Failed"]


def test_read_returns_upper_case_records_with_lines(gw: Gateway) -> None:
    data = data_of(gw.result(fn("<read><object>APBILL</object><keys>2,1,999999</keys><fields>*</fields></read>")))
    assert (data.get("listtype"), data.get("count")) == ("APBILL", "2")
    assert [r.findtext("RECORDNO") for r in data] == ["2", "1"]
    lines = data[1].findall("APBILLITEMS/apbillitem")
    expected = [line for line in gw.sandbox.records("APBILLITEM") if line["RECORDKEY"] == 1]
    assert [int(line.findtext("RECORDNO")) for line in lines] == [line["RECORDNO"] for line in expected]
    assert all(line.findtext("RECORDKEY") == "1" for line in lines)
    vendor = data_of(gw.result(fn("<read><object>VENDOR</object><keys>1</keys><fields>NAME,DISPLAYCONTACT.EMAIL1</fields></read>")))[0]
    assert vendor.findtext("NAME") == "O'Brien & Sons <Intl>"
    assert [child.tag for child in vendor] == ["NAME", "DISPLAYCONTACT"]
    assert vendor.findtext("DISPLAYCONTACT/EMAIL1").endswith(".example.com")
    bad = gw.result(fn("<read><object>VENDOR</object><keys>1</keys><fields>x</fields></read>"))
    assert errornos(bad) == ["Invalid fields list x"]


def test_bill_lines_by_recordkey_for_a_window_of_bills(gw: Gateway) -> None:
    keys = [b["RECORDNO"] for b in gw.sandbox.records("APBILL")][:20]
    values = "".join(f"<value>{key}</value>" for key in keys)
    extra = f"<filter><in><field>RECORDKEY</field>{values}</in></filter><pagesize>2000</pagesize>"
    data = data_of(gw.result(_query("APBILLITEM", ["RECORDNO", "RECORDKEY", "AMOUNT", "LINE_NO"], extra)))
    expected = [line for line in gw.sandbox.records("APBILLITEM") if line["RECORDKEY"] in keys]
    assert int(data.get("count")) == len(expected) > 20
    by_query = data_of(gw.result(_rbq("APBILLITEM", f"RECORDKEY in ({','.join(map(str, keys))})", pagesize=1000)))
    assert by_query.get("totalcount") == str(len(expected))


VENDOR_XML = (
    "<VENDOR><VENDORID>{id}</VENDORID><NAME>{name}</NAME><CURRENCY>EUR</CURRENCY>"
    "<DISPLAYCONTACT><PRINTAS>{name}</PRINTAS><EMAIL1>a@b.example</EMAIL1>"
    "<MAILADDRESS><ADDRESS1>1 Rue</ADDRESS1><CITY>Paris</CITY><COUNTRY>France</COUNTRY></MAILADDRESS></DISPLAYCONTACT>"
    "<HUBSPOT_COMPANY_ID>{hs}</HUBSPOT_COMPANY_ID></VENDOR>"
)


def test_create_and_update_vendor_with_display_contact(gw: Gateway) -> None:
    name = escape("Ünïcode & <Co> \"Q\" 'A'")
    result = gw.result(fn(f"<create>{VENDOR_XML.format(id='VNEW', name=name, hs='123')}</create>"))
    assert result.findtext("status") == "success", etree.tostring(result)
    data = data_of(result)
    assert (data.get("listtype"), data.get("count")) == ("objects", "1")
    echo = data.find("vendor")
    assert echo.findtext("VENDORID") == "VNEW"
    recordno = echo.findtext("RECORDNO")
    stored = next(v for v in gw.sandbox.records("VENDOR") if v["VENDORID"] == "VNEW")
    assert stored["NAME"] == "Ünïcode & <Co> \"Q\" 'A'"
    assert stored["DISPLAYCONTACT"]["CONTACTNAME"] == f"{stored['NAME']}(VVNEW)"
    assert stored["DISPLAYCONTACT"]["MAILADDRESS"]["CITY"] == "Paris"
    assert gw.sandbox.clock.now() - stored["WHENMODIFIED"] < timedelta(seconds=5)
    assert any(c["CONTACTNAME"] == stored["DISPLAYCONTACT"]["CONTACTNAME"] for c in gw.sandbox.records("CONTACT"))

    gw.sandbox.clock.advance(5)
    update = (f"<update><VENDOR><RECORDNO>{recordno}</RECORDNO><DISPLAYCONTACT><MAILADDRESS><CITY>Lyon</CITY>"
              "</MAILADDRESS></DISPLAYCONTACT><HUBSPOT_COMPANY_ID>456</HUBSPOT_COMPANY_ID></VENDOR></update>")
    updated = gw.result(fn(update))
    assert updated.findtext("status") == "success"
    assert data_of(updated).find("vendor/VENDORID").text == "VNEW"
    after = next(v for v in gw.sandbox.records("VENDOR") if v["VENDORID"] == "VNEW")
    assert after["DISPLAYCONTACT"]["MAILADDRESS"] == {**stored["DISPLAYCONTACT"]["MAILADDRESS"], "CITY": "Lyon"}
    assert after["DISPLAYCONTACT"]["EMAIL1"] == "a@b.example"  # partial update keeps the rest
    assert after["HUBSPOT_COMPANY_ID"] == "456"
    assert after["WHENMODIFIED"] > stored["WHENMODIFIED"]
    read_back = data_of(gw.result(fn(f"<read><object>VENDOR</object><keys>{recordno}</keys></read>")))[0]
    assert read_back.findtext("NAME") == stored["NAME"]
    assert read_back.findtext("DISPLAYCONTACT/MAILADDRESS/CITY") == "Lyon"


def test_duplicate_vendorid_is_bl34000061(gw: Gateway) -> None:
    before = len(gw.sandbox.records("VENDOR"))
    result = gw.result(fn(f"<create>{VENDOR_XML.format(id='V00001', name='Dup', hs='1')}"
                          f"{VENDOR_XML.format(id='VOK', name='Fine', hs='2')}</create>"))
    assert result.findtext("status") == "failure"
    assert errornos(result) == ["BL34000061", "BL01001973"]
    assert "V00001" in result.findtext("errormessage/error/description2")
    assert result.findtext("errormessage/error/correction") == "Use a unique value instead."
    data = data_of(result)
    assert [v.findtext("VENDORID") for v in data.findall("vendor")] == ["VOK"]  # the sibling record was kept
    assert len(gw.sandbox.records("VENDOR")) == before + 1


def test_vendor_create_validation(make_gateway: Callable[..., Gateway]) -> None:
    gw = make_gateway()
    missing_id = gw.result(fn("<create><VENDOR><NAME>N</NAME><DISPLAYCONTACT><PRINTAS>P</PRINTAS></DISPLAYCONTACT></VENDOR></create>"))
    assert missing_id.findtext("status") == "failure"
    assert "VENDORID" in missing_id.findtext("errormessage/error/description2")
    missing_printas = gw.result(fn("<create><VENDOR><VENDORID>VP</VENDORID><NAME>N</NAME></VENDOR></create>"))
    assert "DISPLAYCONTACT.PRINTAS" in missing_printas.findtext("errormessage/error/description2")
    unknown_field = gw.result(fn("<create><VENDOR><VENDORID>VQ</VENDORID><NAME>N</NAME><DISPLAYCONTACT><PRINTAS>P"
                                 "</PRINTAS></DISPLAYCONTACT><NOT_A_FIELD>1</NOT_A_FIELD></VENDOR></create>"))
    assert "NOT_A_FIELD" in unknown_field.findtext("errormessage/error/description2")
    sequenced = make_gateway(document_sequencing=True)
    created = sequenced.result(fn("<create><VENDOR><NAME>N</NAME><DISPLAYCONTACT><PRINTAS>P</PRINTAS></DISPLAYCONTACT></VENDOR></create>"))
    assert created.findtext("status") == "success"
    assert created.findtext("data/vendor/VENDORID").startswith("VEN-")


def test_update_of_missing_record(gw: Gateway) -> None:
    result = gw.result(fn("<update><VENDOR><VENDORID>NOPE</VENDORID><NAME>x</NAME></VENDOR></update>"))
    assert result.findtext("status") == "failure"
    assert errornos(result) == ["Cannot update non-existing VENDOR with VENDORID=NOPE."]


def test_contact_and_user_defined_dimension(gw: Gateway) -> None:
    contact = gw.result(fn("<create><CONTACT><CONTACTNAME>Erin's Software</CONTACTNAME><PRINTAS>Erin</PRINTAS></CONTACT></create>"))
    assert contact.findtext("data/contact/CONTACTNAME") == "Erin's Software"
    found = data_of(gw.result(_rbq("CONTACT", "CONTACTNAME = 'Erin\\'s Software'")))
    assert found.get("count") == "1"
    again = gw.result(fn("<create><CONTACT><CONTACTNAME>Erin's Software</CONTACTNAME><PRINTAS>E</PRINTAS></CONTACT></create>"))
    assert errornos(again)[0] == "BL34000061"
    segment = gw.result(fn("<create><HS_SEGMENT><name>Partners</name><hubspot_id>77</hubspot_id></HS_SEGMENT></create>"))
    assert segment.findtext("status") == "success", etree.tostring(segment)
    new_id = segment.findtext("data/hs_segment/id")
    rows = data_of(gw.result(_rbq("HS_SEGMENT", "name = 'Partners'")))
    assert rows[0].tag == "hs_segment" and rows[0].findtext("id") == new_id
    read_back = data_of(gw.result(fn(f"<read><object>HS_SEGMENT</object><keys>{new_id}</keys></read>")))[0]
    assert read_back.tag == "HS_SEGMENT" and read_back.findtext("hubspot_id") == "77"
    dept = gw.result(fn("<create><DEPARTMENT><DEPARTMENTID>D900</DEPARTMENTID><TITLE>New</TITLE></DEPARTMENT></create>"))
    assert dept.findtext("data/department/DEPARTMENTID") == "D900"


def test_read_more_by_object_read_by_name_and_delete(gw: Gateway) -> None:
    first = data_of(gw.result(_rbq("APBILL", pagesize=10)))
    page = data_of(gw.result(fn("<readMore><object>APBILL</object></readMore>")))
    assert page.get("resultId") == first.get("resultId")
    assert [r.findtext("RECORDNO") for r in page] == [str(n) for n in range(11, 21)]
    named = data_of(gw.result(fn("<readByName><object>VENDOR</object><keys>V00002,NOPE</keys></readByName>")))
    assert [v.findtext("NAME") for v in named] == ["Café Zürich GmbH"]
    created = gw.result(fn("<create><CLASS><CLASSID>DEL</CLASSID><NAME>gone</NAME></CLASS></create>"))
    recordno = created.findtext("data/class/RECORDNO")
    deleted = gw.result(fn(f"<delete><object>CLASS</object><keys>{recordno}</keys></delete>"))
    assert deleted.findtext("status") == "success"
    assert "DEL" not in {c["CLASSID"] for c in gw.sandbox.records("CLASS")}
    again = gw.result(fn(f"<delete><object>CLASS</object><keys>{recordno}</keys></delete>"))
    assert again.findtext("status") == "failure"
